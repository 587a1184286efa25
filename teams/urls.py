from saintsxctf.api.routers import ContractRouter

teams = ContractRouter(group="team", path="teams")

routers = [teams]
