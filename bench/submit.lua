-- wrk script: each request submits a new petition (bench/petition.json) as the benchmark
-- citizen. Run from the repository's root, as bench/run.sh does.
local body = io.open("bench/petition.json"):read("*a")
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("MINHU_TOKEN")
wrk.body = body
