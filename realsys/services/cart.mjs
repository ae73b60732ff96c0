/** The cart: reads it from the database; a checkout writes it, and a failed write is tried once more at once. */
import { runService } from '../lib/service.mjs';

runService('cart', {
  async 'GET /cart'(ctx) {
    await ctx.work('GET /cart');
    return (await ctx.call('db', 'GET /query')) < 400 ? 200 : 502;
  },
  async 'POST /checkout'(ctx) {
    await ctx.work('POST /checkout');
    const attempts = ctx.endpoint('POST /checkout').writeAttempts;
    for (let i = 0; i < attempts; i++) if ((await ctx.call('db', 'POST /write')) < 400) return 200;
    return 502;
  },
});
