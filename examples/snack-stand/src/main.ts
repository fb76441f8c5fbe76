/**
 * `npm start`: pick-up orders at the snack stand over Telegram and WhatsApp, printed as a
 * transcript. Nothing leaves the machine: both platforms are fake servers on local ports.
 * @module
 */
import { runSnackStand } from './snack-stand.js';

await runSnackStand({ log: (line) => console.log(line) });
