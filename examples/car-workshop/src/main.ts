/**
 * `npm start`: the car workshop's morning, printed as a transcript. Nothing leaves the machine:
 * WhatsApp and Messenger are fake platform servers on local ports.
 * @module
 */
import { runCarWorkshop } from './car-workshop.js';

await runCarWorkshop({ log: (line) => console.log(line) });
