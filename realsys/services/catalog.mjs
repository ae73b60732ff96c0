/** Product details, read from the database. */
import { runService } from '../lib/service.mjs';

runService('catalog', {
  async 'GET /item'(ctx) {
    await ctx.work('GET /item');
    return (await ctx.call('db', 'GET /query')) < 400 ? 200 : 502;
  },
});
