import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { lookUp, MAX_TEMPLATE_LENGTH, renderTemplate, templateVariables } from './template-renderer.js';

const vars = {
  contact: { name: 'Ann', attributes: { tier: 'gold', visits: 3, fleet: false, empty: '' }, tags: 'vip, garage' },
  crm: { customerId: 'C-1', orders: [{ id: 'SO-1', status: 'ready' }] },
};

describe('renderTemplate', () => {
  it('fills contact, attribute and CRM fields, array items by index', () => {
    expect(renderTemplate('Hello {{contact.name}} ({{ contact.attributes.tier }}, {{contact.attributes.visits}} visits, fleet {{contact.attributes.fleet}}): order {{crm.orders.0.id}} is {{crm.orders.0.status}}.', vars))
      .toEqual({ text: 'Hello Ann (gold, 3 visits, fleet false): order SO-1 is ready.', missing: [], invalid: [] });
  });

  it('reports what it cannot fill, keeps it (agents) or removes it (bots)', () => {
    const t = 'Dear {{contact.title}} {{contact.name}}, {{contact.attributes.empty}}{{crm.orders.5.id}}{{contact.attributes}}{{contact.title}}';
    expect(renderTemplate(t, vars)).toEqual({
      text: t.replace('{{contact.name}}', 'Ann'), missing: ['contact.title', 'contact.attributes.empty', 'crm.orders.5.id', 'contact.attributes'], invalid: [],
    });
    expect(renderTemplate(t, vars, { missing: 'empty' }).text).toBe('Dear  Ann, ');
  });

  it('regression: never reaches the prototype or runs code', () => {
    for (const path of ['contact.constructor', 'contact.__proto__', 'contact.toString', 'constructor.name', 'contact.name.length', 'crm.orders.length']) {
      expect([path, lookUp(vars, path)]).toEqual([path, undefined]);
    }
    expect(renderTemplate('{{ 1 + 1 }} {{process.exit()}} {{contact["name"]}} {{}}', vars)).toEqual({
      text: '{{ 1 + 1 }} {{process.exit()}} {{contact["name"]}} {{}}', missing: [], invalid: ['{{ 1 + 1 }}', '{{process.exit()}}', '{{contact["name"]}}', '{{}}'],
    });
    expect(() => renderTemplate('x'.repeat(MAX_TEMPLATE_LENGTH + 1), vars)).toThrow(RangeError);
  });

  it('lists the variables a template uses', () => {
    expect(templateVariables('{{contact.name}} {{ crm.customerId }} {{contact.name}} {{a b}}')).toEqual({ paths: ['contact.name', 'crm.customerId'], invalid: ['{{a b}}'] });
  });
});

describe('renderTemplate (properties)', () => {
  const key = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_-]{0,8}$/);
  const scalar = fc.oneof(fc.string({ maxLength: 30 }), fc.integer(), fc.boolean());

  it('never throws, whatever the template and the data', () => {
    fc.assert(fc.property(fc.string({ maxLength: 300 }), fc.anything(), (t, v) => {
      const r = renderTemplate(t, { v } as Record<string, unknown>);
      return typeof r.text === 'string' && Array.isArray(r.missing) && Array.isArray(r.invalid);
    }));
  });

  it('leaves a text without placeholders as it is', () => {
    fc.assert(fc.property(fc.string({ maxLength: 300 }).filter((s) => !s.includes('{{')), (t) => renderTemplate(t, vars).text === t));
  });

  it('inserts a value verbatim and never expands it again (a value holding "{{…}}" stays literal)', () => {
    fc.assert(fc.property(key, fc.string({ maxLength: 40 }).filter((s) => s !== ''), fc.string({ maxLength: 20 }), fc.string({ maxLength: 20 }), (k, value, before, after) => {
      fc.pre(!before.includes('{') && !before.includes('}') && !after.includes('{') && !after.includes('}'));
      const r = renderTemplate(`${before}{{x.${k}}}${after}`, { x: { [k]: value }, secret: 'S3CRET' });
      return r.text === `${before}${value}${after}` && r.missing.length === 0;
    }));
  });

  it('fills exactly the paths the data has, and reports each other one once', () => {
    fc.assert(fc.property(fc.dictionary(key, scalar, { maxKeys: 5 }), fc.array(key, { maxLength: 6 }), (data, asked) => {
      const r = renderTemplate(asked.map((k) => `{{d.${k}}}`).join('|'), { d: data }, { missing: 'empty' });
      const printable = (k: string): boolean => Object.hasOwn(data, k) && data[k] !== '';
      const expected = asked.map((k) => (printable(k) ? String(data[k]) : '')).join('|');
      return r.text === expected && JSON.stringify(r.missing) === JSON.stringify([...new Set(asked.filter((k) => !printable(k)).map((k) => `d.${k}`))]);
    }));
  });
});
