/**
 * One vocabulary of commerce categories, shared by the law layers, the channels' declared
 * policies, business policies and `MessageIntent.commerceCategory`, so that a ban declared by one
 * source matches the category an intent names. Categories are compared case-insensitively.
 * @module
 */

/**
 * Commerce categories with a meaning every source agrees on. Channels and businesses may use
 * other strings as well; these are the ones the law layers and the first-party channels use.
 */
export const COMMERCE_CATEGORIES = {
  'illegal-products-or-services': 'products or services that are illegal where they are offered',
  drugs: 'illegal or recreational drugs, including cannabis and cannabis products',
  'prescription-drugs': 'medicinal products available on medical prescription only',
  'drug-paraphernalia': 'pipes, bongs and other drug paraphernalia',
  tobacco: 'tobacco products, electronic cigarettes and refill containers, and tobacco paraphernalia',
  alcohol: 'alcoholic beverages and kits for making them',
  'ingestible-supplements': 'unsafe ingestible supplements (anabolic steroids, human growth hormone, ...)',
  weapons: 'firearms, firearm parts and other weapons',
  ammunition: 'ammunition',
  explosives: 'explosives and fireworks',
  animals: 'live animals and animal parts',
  adult: 'adult products or services (except family planning and contraception)',
  'overtly-sexualized-products': 'products with overtly sexualised positioning',
  'body-parts-and-fluids': 'human body parts and fluids',
  'medical-and-healthcare-products': 'medical devices and healthcare products, including smoking-cessation products with nicotine',
  gambling: 'real-money gambling (casinos, sports betting, lotteries, card games for money)',
  dating: 'dating services',
  'digital-media-unauthorized-access': 'products that give unauthorised access to digital media',
  'subscriptions-and-digital-products': 'subscriptions and digital products sold through the conversation',
  'fraudulent-or-deceptive': 'fraudulent, misleading, deceptive, offensive or exploitative offers',
  'payday-loans-and-debt-collection': 'payday loans, paycheck advances, peer-to-peer lending, debt collection, bail bonds',
  currency: 'real, virtual or counterfeit currency, and documents or financial instruments',
  'multi-level-marketing': 'multi-level marketing',
  'hazardous-goods-and-materials': 'hazardous goods and materials',
  'recalled-products': 'recalled products',
  'stolen-goods': 'stolen goods',
  'third-party-infringement': 'goods that infringe third parties\' rights (counterfeits, pirated copies)',
  'human-exploitation-and-sexual-services': 'human exploitation and sexual services',
  discrimination: 'offers that discriminate',
} as const;

/** A commerce category of the shared vocabulary. */
export type CommerceCategory = keyof typeof COMMERCE_CATEGORIES;

/**
 * Whether two category names mean the same category (case-insensitive).
 * @param a - one category
 * @param b - another
 * @returns true when they are equal ignoring case
 */
export function sameCommerceCategory(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}
