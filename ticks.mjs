// node ticks.mjs url seconds: per-second 2xx counts of a DELETE load
import autocannon from 'autocannon'
const [url, secs] = process.argv.slice(2)
const counts = []
const inst = autocannon({ url: url + '/v2/ff8080828997cb24018a1b2db3440b80/clusters/f7f45c04-4303-411c-9b71-d2cb730dd162/iam-sync-user', connections: 50, duration: Number(secs), method: 'DELETE', headers: { 'content-type': 'application/json', 'x-auth-token': 'bench' }, body: '{"group_names":["groups1"],"user_names":["user1","user2"]}' })
inst.on('tick', (c) => counts.push(c.counter))
inst.on('done', (r) => console.log(counts.join(' '), '| avg', Math.round(r.requests.average)))
