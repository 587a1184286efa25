-- Run once by the mariadb image when the replica's data directory is created (compose.yaml, db-replica): the
-- API's account may read the replication status, which the router reads to skip a lagging replica
-- (saintsxctf/replicas, REPLICA_MAX_LAG_SECONDS). The replica runs --read-only: the account cannot write there.
GRANT SLAVE MONITOR ON *.* TO 'saintsxctf'@'%';
