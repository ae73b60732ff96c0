/** The shop's front door: a product page fans out to catalog and cart at once, and sometimes asks for recommendations. */
import { runService } from '../lib/service.mjs';

const ok = (status) => status < 400;

runService('frontend', {
  async 'GET /product'(ctx) {
    await ctx.work('GET /product');
    const [item, cart] = await Promise.all([ctx.call('catalog', 'GET /item'), ctx.call('cart', 'GET /cart')]);
    if (!ok(item) || !ok(cart)) return 502;
    if (ctx.uniform() < ctx.endpoint('GET /product').recommendProbability) {
      if (!ok(await ctx.call('recommend', 'GET /recs'))) return 502;
    }
    return 200;
  },
  async 'POST /checkout'(ctx) {
    await ctx.work('POST /checkout');
    return ok(await ctx.call('cart', 'POST /checkout')) ? 200 : 502;
  },
});
