from saintsxctf.api.routers import ContractRouter

groups = ContractRouter(group="group", path="groups")

routers = [groups]
