import { afterEach, describe, expect, it } from 'vitest';
import { isTemplateManager } from '@switchboard/core';
import { parseConfig } from './config.js';
import { FakeWhatsAppServer, whatsappSandboxConfig } from './fake-whatsapp-server.js';
import { readTemplatePage, renderListTemplates, renderSubmitTemplate, templateStatusOf } from './templates.js';
import { WhatsAppConnector } from './whatsapp-connector.js';

const WABA = whatsappSandboxConfig.businessAccountId;
const config = parseConfig({ ...whatsappSandboxConfig, apiBaseUrl: 'https://graph.example.test' });
const vehicleReady = { name: 'vehicle_ready', language: 'en_US', category: 'utility' as const, body: 'Hello {{1}}, your vehicle {{2}} is ready.', examples: ['Ada', 'B-SW 123'] };

describe('template requests', () => {
  it('submits with the body, its sample values, and optional header and footer', () => {
    expect(renderSubmitTemplate(config, { ...vehicleReady, header: 'Workshop', footer: 'Reply STOP to opt out' })).toEqual({
      method: 'POST',
      url: `https://graph.example.test/${config.apiVersion}/${WABA}/message_templates`,
      headers: { authorization: `Bearer ${whatsappSandboxConfig.accessToken}`, 'content-type': 'application/json' },
      body: {
        name: 'vehicle_ready', language: 'en_US', category: 'UTILITY',
        components: [
          { type: 'HEADER', format: 'TEXT', text: 'Workshop' },
          { type: 'BODY', text: 'Hello {{1}}, your vehicle {{2}} is ready.', example: { body_text: [['Ada', 'B-SW 123']] } },
          { type: 'FOOTER', text: 'Reply STOP to opt out' },
        ],
      },
    });
    expect(renderSubmitTemplate(config, { name: 'plain', language: 'de', category: 'marketing', body: 'Hallo' }).body).toEqual({
      name: 'plain', language: 'de', category: 'MARKETING', components: [{ type: 'BODY', text: 'Hallo' }],
    });
  });

  it('lists with the fields it reads and pages with the cursor', () => {
    const first = renderListTemplates(config);
    expect(first).toMatchObject({ method: 'GET', headers: { authorization: `Bearer ${whatsappSandboxConfig.accessToken}` } });
    expect(first.url).toBe(`https://graph.example.test/${config.apiVersion}/${WABA}/message_templates?fields=id%2Cname%2Clanguage%2Cstatus%2Ccategory%2Crejected_reason&limit=100`);
    expect(renderListTemplates(config, 'MjQZD').url).toMatch(/&after=MjQZD$/);
  });

  it('refuses to manage templates without the business account id, naming the field', () => {
    const { businessAccountId: _omit, ...rest } = whatsappSandboxConfig;
    expect(() => renderSubmitTemplate(parseConfig(rest), vehicleReady)).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID', field: 'businessAccountId' }));
  });

  it('maps Meta\'s review states and reads pages', () => {
    expect(['APPROVED', 'PENDING', 'IN_APPEAL', 'REJECTED', 'PAUSED', 'DISABLED', 'SOMETHING_NEW', 3].map(templateStatusOf))
      .toEqual(['approved', 'submitted', 'submitted', 'rejected', 'paused', 'paused', 'submitted', 'submitted']);
    expect(readTemplatePage({
      data: [
        { name: 'a', language: 'en_US', status: 'APPROVED', id: '1', category: 'UTILITY' },
        { name: 'b', language: 'de', status: 'REJECTED', id: '2', rejected_reason: 'INVALID_FORMAT' },
        { language: 'xx' },
      ],
      paging: { cursors: { before: 'B', after: 'A' }, next: 'https://graph.facebook.com/next' },
    })).toEqual({
      templates: [
        { name: 'a', language: 'en_US', status: 'approved', externalId: '1' },
        { name: 'b', language: 'de', status: 'rejected', externalId: '2', reason: 'INVALID_FORMAT' },
      ],
      after: 'A',
    });
    expect(readTemplatePage({ data: [], paging: { cursors: { before: 'B', after: 'A' } } })).toEqual({ templates: [] });
    expect(readTemplatePage('garbage')).toEqual({ templates: [] });
  });
});

describe('template review through the fake Cloud API', () => {
  let fake: FakeWhatsAppServer | undefined;
  afterEach(async () => { await fake?.stop(); fake = undefined; });

  it('submits (PENDING → submitted), then reads the approval back', async () => {
    fake = new FakeWhatsAppServer();
    await fake.start();
    const connector = new WhatsAppConnector(parseConfig(fake.connectorConfig()));
    expect(isTemplateManager(connector)).toBe(true);
    const submitted = await connector.submitTemplate(vehicleReady);
    expect(submitted).toEqual({ externalId: expect.stringMatching(/^\d+$/), status: 'submitted' });
    expect(fake.requests.at(-1)).toMatchObject({ method: 'POST', path: `/${config.apiVersion}/${WABA}/message_templates`, body: { name: 'vehicle_ready', category: 'UTILITY' } });
    expect((await connector.listTemplates()).find((t) => t.name === 'vehicle_ready')).toEqual({ name: 'vehicle_ready', language: 'en_US', status: 'submitted', externalId: submitted.externalId });
    fake.approveTemplate('vehicle_ready');
    expect((await connector.listTemplates()).find((t) => t.name === 'vehicle_ready')?.status).toBe('approved');
    // a second submission of the same name and language is refused for good
    await expect(connector.submitTemplate(vehicleReady)).rejects.toMatchObject({ code: 'PERMANENT_FAILURE' });
  });

  it('follows the paging cursor until Graph sends no next page', async () => {
    const pages = [
      { data: [{ name: 'one', language: 'en', status: 'APPROVED', id: '1' }], paging: { cursors: { after: 'P2' }, next: 'https://graph/next' } },
      { data: [{ name: 'two', language: 'en', status: 'PAUSED', id: '2' }], paging: { cursors: { after: 'P3' } } },
    ];
    const urls: string[] = [];
    const fetchPages = (async (url: string) => {
      urls.push(url);
      return new Response(JSON.stringify(pages[urls.length - 1]), { status: 200, headers: { 'content-type': 'application/json' } });
    }) as unknown as typeof fetch;
    const connector = new WhatsAppConnector(config, { fetch: fetchPages });
    expect(await connector.listTemplates()).toEqual([
      { name: 'one', language: 'en', status: 'approved', externalId: '1' },
      { name: 'two', language: 'en', status: 'paused', externalId: '2' },
    ]);
    expect(urls).toHaveLength(2);
    expect(urls[1]).toMatch(/&after=P2$/);
  });
});
