from saintsxctf.api.routers import ContractRouter

comments = ContractRouter(group="comment", path="comments")

routers = [comments]
