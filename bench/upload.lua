-- wrk script: POST a signed PDF, each request with distinct bytes (24 bytes of white space
-- after %%EOF encode a counter), so every request is verified and stored, not deduplicated.
local f = assert(io.open(os.getenv("KYSO_BENCH_PDF"), "rb"))
local pdf = f:read("*a")
f:close()
local token = os.getenv("KYSO_BENCH_TOKEN")
local counter = 0
-- KYSO_BENCH_SEED (1, 2): a second wrk against a second instance sends other bytes.
local next_id = (tonumber(os.getenv("KYSO_BENCH_SEED") or "1") - 1) * 8
-- setup runs in the main state; each thread gets its own global `thread_id`.
function setup(thread)
  thread:set("thread_id", next_id)
  next_id = next_id + 1
end
function request()
  counter = counter + 1
  local n = counter * 16 + thread_id
  local tail = {}
  for i = 0, 23 do
    if math.floor(n / 2 ^ i) % 2 == 1 then tail[#tail + 1] = "\n" else tail[#tail + 1] = " " end
  end
  return wrk.format("POST", "/api/v1/submissions",
    { ["Content-Type"] = "application/pdf", ["Authorization"] = "Bearer " .. token },
    pdf .. table.concat(tail))
end
