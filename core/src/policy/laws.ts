/**
 * The law as data, per jurisdiction: each {@link LawLayer} names the countries it applies in, the
 * purposes that need recorded consent, the advertising bans that apply on every channel, and the
 * legal text behind each rule. {@link lawFor} selects the layers of the tenant's country and the
 * recipient's country and merges them into the {@link LegalBaseline} the policy engine applies.
 *
 * Only rules that can be cited are modelled; a layer says in its sources what each text is. This
 * is not legal advice: a business remains responsible for the law that applies to it.
 * @module
 */
import type { Purpose } from '../model/events.js';
import type { LegalBaseline, PolicySource } from './channel-policy.js';

/** An advertising ban that applies whatever the channel: messages presenting the category are refused. */
export interface AdvertisingBan {
  /** The commerce category it bans (see `COMMERCE_CATEGORIES`). */
  category: string;
  /** The legal text, as it is cited, e.g. `Directive 2003/33/EC, Art. 3(2)`. */
  law: string;
  /** What the text forbids, in a sentence. */
  summary: string;
  /** Where the text is published. */
  url: string;
}

/** The rules of one jurisdiction (a union of states or one country). */
export interface LawLayer {
  /** `EU`, or an ISO 3166-1 alpha-2 country code. */
  id: string;
  /** A readable name, e.g. `European Union`. */
  name: string;
  /** ISO 3166-1 alpha-2 codes of the countries where it applies. */
  countries: readonly string[];
  /** Purposes that need recorded consent before a business sends them. */
  consentRequiredFor: Purpose[];
  /** Advertising bans that apply on every channel. */
  advertisingBans: AdvertisingBan[];
  /** The texts behind each rule (`rule` is `consentRequiredFor`, `revocationImmediate` or `advertisingBans.<category>`). */
  sources: PolicySource[];
}

/** The 27 member states of the European Union (ISO 3166-1 alpha-2; Greece is GR). */
export const EU_MEMBER_STATES: readonly string[] = [
  'AT', 'BE', 'BG', 'HR', 'CY', 'CZ', 'DK', 'EE', 'FI', 'FR', 'DE', 'GR', 'HU', 'IE', 'IT', 'LV', 'LT', 'LU', 'MT', 'NL',
  'PL', 'PT', 'RO', 'SK', 'SI', 'ES', 'SE',
];

const GDPR = 'https://eur-lex.europa.eu/eli/reg/2016/679/oj';
const EPRIVACY = 'https://eur-lex.europa.eu/eli/dir/2002/58/oj';
const TOBACCO_ADVERTISING = 'https://eur-lex.europa.eu/eli/dir/2003/33/oj';
const TOBACCO_PRODUCTS = 'https://eur-lex.europa.eu/eli/dir/2014/40/oj';
const MEDICINES_CODE = 'https://eur-lex.europa.eu/eli/dir/2001/83/oj';

/**
 * The European Union: the GDPR and the ePrivacy Directive (no marketing without recorded consent,
 * revocation honoured at once), the Tobacco Advertising Directive and the Community code relating
 * to medicinal products for human use (no advertising of tobacco or of prescription-only medicines
 * to the public, on any channel).
 */
export const EU_LAW: LawLayer = {
  id: 'EU',
  name: 'European Union',
  countries: EU_MEMBER_STATES,
  consentRequiredFor: ['marketing'],
  advertisingBans: [
    {
      category: 'tobacco',
      law: 'Directive 2003/33/EC, Art. 3(2); Directive 2014/40/EU, Art. 20(5)(a)',
      summary: 'advertising of tobacco products is not permitted in information society services, nor commercial communications promoting electronic cigarettes and refill containers',
      url: TOBACCO_ADVERTISING,
    },
    {
      category: 'prescription-drugs',
      law: 'Directive 2001/83/EC, Art. 88(1)(a)',
      summary: 'advertising to the general public of medicinal products available on medical prescription only is prohibited',
      url: MEDICINES_CODE,
    },
  ],
  sources: [
    { rule: 'consentRequiredFor', url: `${GDPR} (Regulation (EU) 2016/679, Art. 6(1)(a) lawful basis by consent, Art. 21(2)-(3) objection to direct marketing)`, grade: 'O' },
    { rule: 'consentRequiredFor', url: `${EPRIVACY} (Directive 2002/58/EC, Art. 13(1): electronic mail for direct marketing only with prior consent; the Art. 13(2) existing-customer exception is not modelled, the stricter reading)`, grade: 'O' },
    { rule: 'revocationImmediate', url: `${GDPR} (Art. 7(3): consent may be withdrawn at any time, as easily as it was given)`, grade: 'O' },
    { rule: 'advertisingBans.tobacco', url: `${TOBACCO_ADVERTISING} (Directive 2003/33/EC, Art. 3(1)-(2): tobacco advertising only in trade publications; not in information society services)`, grade: 'O' },
    { rule: 'advertisingBans.tobacco', url: `${TOBACCO_PRODUCTS} (Directive 2014/40/EU, Art. 20(5)(a): no commercial communications in information society services promoting e-cigarettes and refill containers)`, grade: 'O' },
    { rule: 'advertisingBans.prescription-drugs', url: `${MEDICINES_CODE} (Directive 2001/83/EC, Art. 88(1)(a): no advertising to the general public of prescription-only medicinal products)`, grade: 'O' },
  ],
};

/** Germany: UWG (consent for advertising by electronic message), TabakerzG and HWG (the national texts of the EU bans). */
export const DE_LAW: LawLayer = {
  id: 'DE',
  name: 'Germany',
  countries: ['DE'],
  consentRequiredFor: ['marketing'],
  advertisingBans: [
    { category: 'tobacco', law: 'TabakerzG § 19(3)', summary: 'advertising of tobacco products, electronic cigarettes and refill containers in information society services is prohibited', url: 'https://www.gesetze-im-internet.de/tabakerzg/__19.html' },
    { category: 'prescription-drugs', law: 'HWG § 10(1)', summary: 'prescription-only medicines may be advertised only to healthcare professionals', url: 'https://www.gesetze-im-internet.de/heilmwerbg/__10.html' },
  ],
  sources: [
    { rule: 'consentRequiredFor', url: 'https://www.gesetze-im-internet.de/uwg_2004/__7.html (UWG § 7(2) Nr. 2: advertising by electronic mail without the addressee\'s prior express consent is always an unacceptable nuisance)', grade: 'O' },
    { rule: 'advertisingBans.tobacco', url: 'https://www.gesetze-im-internet.de/tabakerzg/__19.html (Tabakerzeugnisgesetz § 19: advertising bans, including information society services)', grade: 'O' },
    { rule: 'advertisingBans.prescription-drugs', url: 'https://www.gesetze-im-internet.de/heilmwerbg/__10.html (Heilmittelwerbegesetz § 10(1): prescription-only medicines advertised to professionals only)', grade: 'O' },
  ],
};

const LEGIFRANCE_CPCE = 'https://www.legifrance.gouv.fr/codes/texte_lc/LEGITEXT000006070987';
const LEGIFRANCE_CSP = 'https://www.legifrance.gouv.fr/codes/texte_lc/LEGITEXT000006072665';

/** France: CPCE art. L34-5 (consent for direct marketing by electronic message), Code de la santé publique (tobacco, prescription medicines). */
export const FR_LAW: LawLayer = {
  id: 'FR',
  name: 'France',
  countries: ['FR'],
  consentRequiredFor: ['marketing'],
  advertisingBans: [
    { category: 'tobacco', law: 'Code de la santé publique, art. L3512-4', summary: 'direct or indirect propaganda or advertising for tobacco, tobacco products and vaping products is prohibited', url: LEGIFRANCE_CSP },
    { category: 'prescription-drugs', law: 'Code de la santé publique, art. L5122-6', summary: 'advertising to the public is allowed only for medicines not subject to medical prescription', url: LEGIFRANCE_CSP },
  ],
  sources: [
    { rule: 'consentRequiredFor', url: `${LEGIFRANCE_CPCE} (Code des postes et des communications électroniques, art. L34-5: direct marketing by electronic mail or automated systems only with prior consent)`, grade: 'O' },
    { rule: 'advertisingBans.tobacco', url: `${LEGIFRANCE_CSP} (Code de la santé publique, art. L3512-4)`, grade: 'O' },
    { rule: 'advertisingBans.prescription-drugs', url: `${LEGIFRANCE_CSP} (Code de la santé publique, art. L5122-6)`, grade: 'O' },
  ],
};

/** The United Kingdom: UK GDPR and PECR (consent for electronic marketing), the tobacco advertising ban, the Human Medicines Regulations. */
export const GB_LAW: LawLayer = {
  id: 'GB',
  name: 'United Kingdom',
  countries: ['GB'],
  consentRequiredFor: ['marketing'],
  advertisingBans: [
    { category: 'tobacco', law: 'Tobacco Advertising and Promotion Act 2002, s. 2', summary: 'publishing or distributing a tobacco advertisement in the course of a business is an offence', url: 'https://www.legislation.gov.uk/ukpga/2002/36/section/2' },
    { category: 'prescription-drugs', law: 'Human Medicines Regulations 2012, reg. 284', summary: 'advertisements likely to lead to the use of a prescription-only medicine may not be published to the public', url: 'https://www.legislation.gov.uk/uksi/2012/1916/regulation/284' },
  ],
  sources: [
    { rule: 'consentRequiredFor', url: 'https://www.legislation.gov.uk/uksi/2003/2426/regulation/22 (Privacy and Electronic Communications Regulations 2003, reg. 22: unsolicited direct marketing by electronic mail, text messages included, only with prior consent; the reg. 22(3) soft opt-in is not modelled)', grade: 'O' },
    { rule: 'revocationImmediate', url: 'https://www.legislation.gov.uk/eur/2016/679/article/7 (UK GDPR Art. 7(3))', grade: 'O' },
    { rule: 'advertisingBans.tobacco', url: 'https://www.legislation.gov.uk/ukpga/2002/36/section/2 (Tobacco Advertising and Promotion Act 2002)', grade: 'O' },
    { rule: 'advertisingBans.prescription-drugs', url: 'https://www.legislation.gov.uk/uksi/2012/1916/regulation/284 (Human Medicines Regulations 2012)', grade: 'O' },
  ],
};

/**
 * The United States (federal): the TCPA's consent for marketing messages. Federal law bans neither
 * tobacco nor prescription-drug advertising outright (21 CFR 1140 restricts tobacco marketing,
 * 21 CFR 202.1 regulates the content of prescription-drug advertisements), so no ban is modelled;
 * state law is not modelled.
 */
export const US_LAW: LawLayer = {
  id: 'US',
  name: 'United States (federal)',
  countries: ['US'],
  consentRequiredFor: ['marketing'],
  advertisingBans: [],
  sources: [
    { rule: 'consentRequiredFor', url: 'https://www.ecfr.gov/current/title-47/chapter-I/subchapter-B/part-64/subpart-L/section-64.1200 (47 CFR 64.1200(a)(2), TCPA 47 U.S.C. 227: telemarketing calls and text messages to wireless numbers need prior express written consent; applied to every messaging channel, our stricter reading)', grade: 'G' },
    { rule: 'advertisingBans', url: 'https://www.ecfr.gov/current/title-21/chapter-I/subchapter-K/part-1140 (21 CFR 1140 restricts, does not ban, tobacco advertising; 21 CFR 202.1 regulates prescription-drug advertisements): no federal ban modelled', grade: 'O' },
  ],
};

/** Every law layer Switchboard knows. */
export const LAW_LAYERS: readonly LawLayer[] = [EU_LAW, DE_LAW, FR_LAW, GB_LAW, US_LAW];

/** The countries whose law decides a message: where the business is established and where the recipient is. */
export interface Jurisdictions {
  /** The tenant's country (ISO 3166-1 alpha-2), where the business is established. */
  tenantCountry?: string;
  /** The recipient's country (ISO 3166-1 alpha-2), where known (`PolicyContext.market`). */
  recipientCountry?: string;
}

/** The layer that applies where no country is known or a country has no layer of its own. */
export const DEFAULT_LAW_LAYER_ID = 'EU';

/**
 * The layers that apply in the given countries. A country without a layer of its own, and a
 * message where no country is known, get the EU layer: the GDPR was Switchboard's only law before
 * law layers existed, so knowing more about a message never loosens what was enforced before.
 * @param countries - ISO 3166-1 alpha-2 codes (case-insensitive); absent or malformed ones are skipped
 * @param layers - the layers to choose from
 * @returns the layers, each once, in the order of `layers`
 */
export function lawLayersFor(countries: readonly (string | undefined)[], layers: readonly LawLayer[] = LAW_LAYERS): LawLayer[] {
  const known = countries.filter((c): c is string => typeof c === 'string' && /^[A-Za-z]{2}$/.test(c)).map((c) => c.toUpperCase());
  const wanted = new Set<LawLayer>();
  const fallback = layers.find((l) => l.id === DEFAULT_LAW_LAYER_ID);
  if (known.length === 0 && fallback) wanted.add(fallback);
  for (const c of known) {
    const own = layers.filter((l) => l.countries.includes(c));
    if (own.length === 0 && fallback) wanted.add(fallback);
    for (const l of own) wanted.add(l);
  }
  return layers.filter((l) => wanted.has(l));
}

const merged = new Map<string, LegalBaseline>();

/**
 * Merges law layers into the legal baseline the engine applies: purposes needing consent and
 * advertising bans unite, each keeping its source. The same set of layers always yields the same
 * object (the engine caches effective policies by it).
 * @param layers - the layers that apply
 * @returns their meet as a {@link LegalBaseline}
 */
export function mergeLawLayers(layers: readonly LawLayer[]): LegalBaseline {
  const key = layers.map((l) => l.id).join('+');
  const hit = merged.get(key);
  if (hit && layers.length > 0 && layers.every((l) => hit.layers?.includes(l))) return hit;
  const consent = new Set<Purpose>();
  const bans: AdvertisingBan[] = [];
  for (const l of layers) {
    for (const p of l.consentRequiredFor) consent.add(p);
    bans.push(...l.advertisingBans);
  }
  const baseline: LegalBaseline = {
    name: layers.length > 0 ? layers.map((l) => l.name).join(' + ') : 'no law layer',
    consentRequiredFor: [...consent],
    revocationImmediate: true,
    advertisingBans: bans,
    layers: [...layers],
    sources: layers.flatMap((l) => l.sources.map((s) => ({ ...s, rule: `${l.id}: ${s.rule}` }))),
  };
  if (!hit) merged.set(key, baseline);
  return baseline;
}

/**
 * The law for a message: the layers of the tenant's country and of the recipient's, merged.
 * @param where - the tenant's and the recipient's countries (either may be unknown)
 * @returns the legal baseline; the EU layer where a country is unknown or has no layer of its own
 * @example
 * lawFor({ tenantCountry: 'DE', recipientCountry: 'US' }).name // 'European Union + Germany + United States (federal)'
 */
export function lawFor(where: Jurisdictions): LegalBaseline {
  return mergeLawLayers(lawLayersFor([where.tenantCountry, where.recipientCountry]));
}
