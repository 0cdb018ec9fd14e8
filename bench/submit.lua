-- wrk script: each request submits a new petition as the benchmark citizen.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("MINHU_TOKEN")
wrk.body = '{"kind":"help","category_id":1,"urgency":"normal","title":"路灯坏了一个多月没人修",' ..
  '"content":"村东头三盏路灯不亮，晚上孩子放学看不清路。联系电话13812345678。",' ..
  '"address":"修武县郇封镇东常村东街12号","publish_consent":true}'
