/**
 * The airline's side: the flight, its passengers and how each can be reached, and the two
 * utility templates. A real airline reads the manifest from its departure-control system.
 * @module
 */

/** A channel the airline sends flight updates on. */
export type UpdateChannel = 'whatsapp' | 'messenger' | 'viber';

/** One passenger of the flight and the chat address they gave (or not). */
export interface Passenger {
  name: string;
  /** The name as on the ticket: given names and surname. */
  givenName: string;
  surname: string;
  booking: string;
  seat: string;
  /** Check-in sequence number (printed on the boarding pass and held in its code). */
  sequence: number;
  /** The language and home time zone the passenger booked with (the boarding pass is dated and formatted for them). */
  locale: string;
  timeZone: string;
  channel: UpdateChannel;
  /** WhatsApp number, Messenger PSID or Viber user id. */
  userId: string;
  /** What the passenger does in the demo before the updates go out. */
  story: 'opts-in' | 'opts-in-then-stop' | 'opts-in-days-ago' | 'asks-about-baggage' | 'never-wrote';
}

/** The flight the updates are about. */
export const FLIGHT = {
  number: 'LM 417', from: 'Berlin', to: 'Lisbon', departure: '14:05', gate: 'B12', newGate: 'C4', boarding: '13:25', newDeparture: '15:20',
  /** The operating airline, its designator and the flight number without it; the airports' IATA codes. */
  airline: 'Lumen Air', designator: 'LM', flightNumber: '417', fromCode: 'BER', toCode: 'LIS',
  /** The departure airport's time zone: the flight's date is its date there. */
  timeZone: 'Europe/Berlin',
} as const;

/** The manifest: who is on LM 417 and how they chose to be reached. */
export const PASSENGERS: readonly Passenger[] = [
  { name: 'Ana Costa', givenName: 'Ana', surname: 'Costa', booking: 'K7Q2ZP', seat: '12A', sequence: 41, locale: 'pt-PT', timeZone: 'Europe/Lisbon', channel: 'whatsapp', userId: '351912345001', story: 'opts-in' },
  { name: 'Dev Patel', givenName: 'Dev', surname: 'Patel', booking: 'K7Q2ZR', seat: '12B', sequence: 42, locale: 'en-GB', timeZone: 'Europe/London', channel: 'whatsapp', userId: '447700900002', story: 'opts-in-then-stop' },
  { name: 'Hugo Lenz', givenName: 'Hugo', surname: 'Lenz', booking: 'M3X8TT', seat: '21C', sequence: 57, locale: 'de-DE', timeZone: 'Europe/Berlin', channel: 'whatsapp', userId: '4915112300003', story: 'never-wrote' },
  { name: 'Ben Okafor', givenName: 'Ben', surname: 'Okafor', booking: 'P9D4LA', seat: '7F', sequence: 12, locale: 'en-GB', timeZone: 'Europe/London', channel: 'messenger', userId: '6100000000000004', story: 'opts-in' },
  { name: 'Eva Lindqvist', givenName: 'Eva', surname: 'Lindqvist', booking: 'R2H6WQ', seat: '18D', sequence: 33, locale: 'sv-SE', timeZone: 'Europe/Stockholm', channel: 'messenger', userId: '6100000000000005', story: 'asks-about-baggage' },
  { name: 'Gus Moreau', givenName: 'Gus', surname: 'Moreau', booking: 'T5N1VB', seat: '3C', sequence: 3, locale: 'fr-FR', timeZone: 'Europe/Paris', channel: 'messenger', userId: '6100000000000006', story: 'opts-in-days-ago' },
  { name: 'Chiara Bianchi', givenName: 'Chiara', surname: 'Bianchi', booking: 'V8K3JS', seat: '14E', sequence: 25, locale: 'it-IT', timeZone: 'Europe/Rome', channel: 'viber', userId: 'VbChiaraBianchi0000007==', story: 'opts-in' },
  { name: 'Femi Adeyemi', givenName: 'Femi', surname: 'Adeyemi', booking: 'W4C7RM', seat: '25A', sequence: 64, locale: 'en-GB', timeZone: 'Europe/London', channel: 'viber', userId: 'VbFemiAdeyemi00000008==', story: 'opts-in-then-stop' },
];

/** The stated context of the messages and of the consent: the passenger opted in to exactly this. */
export const TOPIC = 'flight updates';

/** A template the airline registers on every channel. */
export interface AirlineTemplate {
  name: 'gate_change' | 'flight_delay';
  body: string;
  /** Sample values for the reviewers, in placeholder order. */
  examples: string[];
  /** The parameters of one passenger's message, in placeholder order. */
  parameters(p: Passenger): string[];
}

/** The two utility templates: a gate change and a delay. */
export const TEMPLATES: readonly AirlineTemplate[] = [
  {
    name: 'gate_change',
    body: 'Hello {{1}}, flight {{2}} to {{3}} now departs from gate {{4}}. Boarding starts at {{5}}. Your seat: {{6}}.',
    examples: ['Ana', 'LM 417', 'Lisbon', 'C4', '13:25', '12A'],
    parameters: (p) => [p.name.split(' ')[0]!, FLIGHT.number, FLIGHT.to, FLIGHT.newGate, FLIGHT.boarding, p.seat],
  },
  {
    name: 'flight_delay',
    body: 'Hello {{1}}, flight {{2}} to {{3}} is delayed. New departure time: {{4}} (was {{5}}). We are sorry for the wait.',
    examples: ['Ana', 'LM 417', 'Lisbon', '15:20', '14:05'],
    parameters: (p) => [p.name.split(' ')[0]!, FLIGHT.number, FLIGHT.to, FLIGHT.newDeparture, FLIGHT.departure],
  },
];

/** The airline's privacy policy, shown with the opt-in and recorded with it. */
export const PRIVACY = { url: 'https://lumen-air.example/privacy', version: '2026-09' } as const;

/**
 * Where each channel's click-to-chat link opens a chat with the airline: its WhatsApp number, its
 * Messenger page and its Viber chat URI (what the connector configs do not carry).
 */
export const LINK_TARGETS: Record<UpdateChannel, string> = { whatsapp: '+1 555 000 1234', messenger: 'lumenair', viber: 'lumenair' };

/**
 * The text a passenger's link fills in (the host appends the signed start token): it names the
 * booking so the airline's agents can read it too.
 * @param p - the passenger
 */
export function optInText(p: Passenger): string {
  return `Flight updates ${FLIGHT.number.replace(' ', '')} booking ${p.booking}`;
}

/**
 * The data of a passenger's boarding pass, for the host's `boarding-pass` document template.
 * @param p - the passenger
 * @param date - the flight's date at the departure airport, `YYYY-MM-DD`
 * @returns the message's data (checked by the template's schema when rendered)
 */
export function boardingPassData(p: Passenger, date: string): Record<string, unknown> {
  return {
    airline: { name: FLIGHT.airline, designator: FLIGHT.designator }, flightNumber: FLIGHT.flightNumber,
    passenger: { surname: p.surname, givenName: p.givenName },
    from: { code: FLIGHT.fromCode, city: FLIGHT.from }, to: { code: FLIGHT.toCode, city: FLIGHT.to },
    date, departureTime: FLIGHT.departure, boardingTime: FLIGHT.boarding, gate: FLIGHT.newGate,
    seat: p.seat, sequence: p.sequence, pnr: p.booking,
  };
}
