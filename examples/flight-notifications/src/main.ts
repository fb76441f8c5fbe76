/**
 * `npm start`: Lumen Air's flight updates for LM 417, printed as a transcript. Nothing leaves the
 * machine: WhatsApp, Messenger and Viber are fake platform servers on local ports.
 * @module
 */
import { runFlightNotifications } from './flight-notifications.js';

await runFlightNotifications({ log: (line) => console.log(line) });
