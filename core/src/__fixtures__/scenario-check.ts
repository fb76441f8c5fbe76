/**
 * Checks a decision against a scenario's expectation; shared by core's tests and the
 * cross-package test that runs the scenarios against the connectors' own policies.
 */
import type { PolicyDecision } from '../index.js';
import type { PolicyScenario } from './policy-scenarios.js';

/**
 * Lists how a decision differs from what the scenario expects.
 * @param scenario - the scenario
 * @param decision - the engine's answer
 * @returns mismatches; empty when the decision is as expected
 */
export function scenarioMismatches(scenario: PolicyScenario, decision: PolicyDecision): string[] {
  const e = scenario.expect;
  const out: string[] = [];
  if (e.allowed !== decision.allowed) {
    return [`expected ${e.allowed ? 'allow' : 'deny'}, got ${decision.allowed ? 'allow' : `deny ${decision.reasons.map((r) => r.code).join(', ')}`}`];
  }
  if (e.allowed && decision.allowed) {
    if (decision.form.kind !== e.form) out.push(`form ${decision.form.kind}, expected ${e.form}`);
    if (e.priceCategory && decision.price.category !== e.priceCategory) out.push(`price category ${decision.price.category}, expected ${e.priceCategory}`);
    if (e.charged !== undefined && (decision.price.amount > 0) !== e.charged) out.push(`price ${decision.price.amount}, expected ${e.charged ? 'charged' : 'free'}`);
  } else if (!e.allowed && !decision.allowed) {
    const codes = decision.reasons.map((r) => r.code);
    for (const c of e.codes) if (!codes.includes(c)) out.push(`missing ${c} (got ${codes.join(', ')})`);
    if (e.exact) for (const c of codes) if (!e.codes.includes(c)) out.push(`unexpected ${c}`);
    for (const [code, source] of Object.entries(e.sources ?? {})) {
      const r = decision.reasons.find((x) => x.code === code);
      if (r && r.source !== source) out.push(`${code} from ${r.source}, expected ${source}`);
    }
  }
  return out;
}
