from saintsxctf.api.routers import ContractRouter

notifications = ContractRouter(group="notification", path="notifications")

routers = [notifications]
