/** The database: queries, and writes that fail now and then (a conflict found at the end of the work). */
import { runService } from '../lib/service.mjs';

runService('db', {
  async 'GET /query'(ctx) {
    await ctx.work('GET /query');
    return 200;
  },
  async 'POST /write'(ctx) {
    await ctx.work('POST /write');
    const w = ctx.endpoint('POST /write');
    return ctx.uniform() < w.failProbability ? w.failStatus : 200;
  },
});
