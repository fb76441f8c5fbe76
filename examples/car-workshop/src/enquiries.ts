/**
 * The scripted enquiries the demo and the test send: forty first messages from customers on
 * WhatsApp and Messenger, each labelled with what a good service desk would expect of the bot —
 * answer it, or put a person on it.
 * @module
 */

/** One scripted enquiry. */
export interface Enquiry {
  channel: 'whatsapp' | 'messenger';
  /** WhatsApp number or Messenger PSID. */
  userId: string;
  name: string;
  text: string;
  /** What the bot should do: answer it itself or hand over to the service desk. */
  expected: 'answered' | 'handover';
}

const wa = (n: number): string => `49151123400${String(n).padStart(2, '0')}`;
const fb = (n: number): string => `71010000000000${String(n).padStart(2, '0')}`;

/** Forty enquiries; customers 1–12 have a service order, the others write about someone's or none. */
export const ENQUIRIES: readonly Enquiry[] = [
  { channel: 'whatsapp', userId: wa(1), name: 'Jonas Weber', text: 'Is my car ready?', expected: 'answered' },
  { channel: 'messenger', userId: fb(2), name: 'Lea Fischer', text: 'Hi, when can I pick up my Focus?', expected: 'answered' },
  { channel: 'whatsapp', userId: wa(3), name: 'Murat Kaya', text: 'Is the Yaris done?', expected: 'answered' },
  { channel: 'messenger', userId: fb(4), name: 'Anna Schulz', text: 'Any news on the clutch?', expected: 'answered' },
  { channel: 'whatsapp', userId: wa(5), name: 'Paul Becker', text: 'What is the status of my car?', expected: 'answered' },
  { channel: 'whatsapp', userId: wa(6), name: 'Sofia Rossi', text: 'How long will the inspection take?', expected: 'answered' },
  { channel: 'messenger', userId: fb(7), name: 'Tom Wagner', text: 'Is the car finished?', expected: 'answered' },
  { channel: 'whatsapp', userId: wa(8), name: 'Emma Hoffmann', text: 'How much will the timing belt cost?', expected: 'answered' },
  { channel: 'messenger', userId: fb(9), name: 'Ben Koch', text: 'Can I collect the Fiat today?', expected: 'answered' },
  { channel: 'whatsapp', userId: wa(10), name: 'Mia Richter', text: 'When will the exhaust be finished?', expected: 'answered' },
  { channel: 'messenger', userId: fb(11), name: 'Luca Klein', text: 'What does the windscreen cost?', expected: 'answered' },
  { channel: 'whatsapp', userId: wa(12), name: 'Hannah Wolf', text: 'Ready yet?', expected: 'answered' },
  { channel: 'whatsapp', userId: wa(13), name: 'Noah Neumann', text: 'What are your opening hours?', expected: 'answered' },
  { channel: 'messenger', userId: fb(14), name: 'Lina Schwarz', text: 'Are you open on Saturday?', expected: 'answered' },
  { channel: 'whatsapp', userId: wa(15), name: 'Elias Zimmermann', text: 'When do you close today?', expected: 'answered' },
  { channel: 'messenger', userId: fb(16), name: 'Clara Braun', text: 'Hello!', expected: 'answered' },
  { channel: 'whatsapp', userId: wa(17), name: 'Felix Krüger', text: 'Is SO-1042 ready? It is my wife\'s car.', expected: 'answered' },
  { channel: 'messenger', userId: fb(18), name: 'Marie Hofmann', text: 'Status of B-AU 4040 please', expected: 'answered' },
  { channel: 'whatsapp', userId: wa(19), name: 'Leon Hartmann', text: 'Any update on so 1049?', expected: 'answered' },
  { channel: 'messenger', userId: fb(20), name: 'Ella Lange', text: 'How much is the invoice for SO-1050?', expected: 'answered' },
  { channel: 'whatsapp', userId: wa(21), name: 'Finn Schmitt', text: 'Is the Golf B-KW 2481 done?', expected: 'answered' },
  { channel: 'messenger', userId: fb(22), name: 'Ida Werner', text: 'Good morning', expected: 'answered' },
  { channel: 'whatsapp', userId: wa(23), name: 'Jakob Krause', text: 'Opening hours?', expected: 'answered' },
  { channel: 'whatsapp', userId: wa(24), name: 'Mila Meier', text: 'When will B-HI 30 be ready?', expected: 'answered' },
  { channel: 'messenger', userId: fb(25), name: 'Anton Lehmann', text: 'Can I still collect at 17:30?', expected: 'handover' },
  { channel: 'whatsapp', userId: wa(26), name: 'Emilia Schmid', text: 'Is my car ready?', expected: 'handover' },
  { channel: 'messenger', userId: fb(27), name: 'Theo Schulze', text: 'I would like to speak to someone about the invoice', expected: 'handover' },
  { channel: 'whatsapp', userId: wa(28), name: 'Lia Maier', text: 'Can I talk to a person please?', expected: 'handover' },
  { channel: 'messenger', userId: fb(29), name: 'Henry Köhler', text: 'Do you also fit tow bars?', expected: 'handover' },
  { channel: 'whatsapp', userId: wa(30), name: 'Lena Herrmann', text: 'My car makes a rattling noise since yesterday', expected: 'handover' },
  { channel: 'whatsapp', userId: wa(31), name: 'Oskar König', text: 'Can I book a service for next week?', expected: 'handover' },
  { channel: 'messenger', userId: fb(32), name: 'Frieda Walter', text: 'I want to complain about the scratch on my door', expected: 'handover' },
  { channel: 'whatsapp', userId: wa(33), name: 'Karl Mayer', text: 'Do you have a courtesy car?', expected: 'handover' },
  { channel: 'messenger', userId: fb(34), name: 'Greta Huber', text: 'What does a tyre change cost?', expected: 'handover' },
  { channel: 'whatsapp', userId: wa(35), name: 'Moritz Kaiser', text: 'Please call me back', expected: 'handover' },
  { channel: 'messenger', userId: fb(36), name: 'Nele Fuchs', text: 'Where do I leave the key after hours?', expected: 'handover' },
  { channel: 'whatsapp', userId: wa(37), name: 'Jonathan Peters', text: 'Status of SO-9999?', expected: 'handover' },
  { channel: 'messenger', userId: fb(38), name: 'Charlotte Lang', text: 'Is the Golf ready?', expected: 'handover' },
  { channel: 'whatsapp', userId: wa(39), name: 'Jonas Scholz', text: 'Can you pick the car up from my home?', expected: 'handover' },
  { channel: 'messenger', userId: fb(40), name: 'Amelie Möller', text: 'I need a human', expected: 'handover' },
];
