// The application's side of moderatord, with node-redis (npm install
// redis@4): push a comment, read its decision from a consumer group of
// the application's own, and send a moderator's verdict.
//
//     node docs/examples/app.mjs REDIS_URL   // redis://localhost:6379
//
// It prints the decision it read, then sends a verdict on the comment.
import { createClient } from 'redis';

const url = process.argv[2] ?? 'redis://localhost:6379';
const r = createClient(url.startsWith('unix://')
  ? { socket: { path: url.slice('unix://'.length) } } : { url });
await r.connect();

// 1. Push a comment: id and text are required; author, thread and
// author_age_days are what the shipped rules look at.
const commentId = `c-${Date.now()}`;
await r.xAdd('comments:in', '*', {
  id: commentId, author: 'bob', thread: 'story-42', author_age_days: '3',
  text: 'Great reporting, thank you for covering the council meeting.',
});

// 2. Read decisions with a group of the application's own, created once:
// what it has not acknowledged comes again after a restart.
try {
  await r.xGroupCreate('comments:decisions', 'webapp', '0',
    { MKSTREAM: true });
} catch (e) {
  if (!String(e).includes('BUSYGROUP')) throw e;
}
let decision;
while (!decision) {
  const got = await r.xReadGroup('webapp', 'web-1',
    { key: 'comments:decisions', id: '>' }, { COUNT: 100, BLOCK: 5000 });
  for (const stream of got ?? []) {
    for (const { id: entryId, message: d } of stream.messages) {
      // d.decision: approve (publish), flag (hold for a moderator, with
      // d.reason), reject (hide).
      if (d.id === commentId) decision = { entryId, d };
      await r.xAck('comments:decisions', 'webapp', entryId);
    }
  }
}
const { entryId, d } = decision;
console.log(`decision ${d.id}: ${d.decision} (${d.reason})`);

// 3. A moderator approved it: send the verdict, with the author (for
// repeat-offender rules) and the decision acted on.
await r.xAdd('comments:verdicts', '*', {
  id: commentId, verdict: 'approve', decision_entry: entryId,
  author: 'bob', moderator: 'sam',
});
console.log('verdict sent: approve');
await r.quit();
