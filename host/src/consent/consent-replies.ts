/**
 * What the host answers a customer's consent keyword or opt-in with, in the customer's language
 * (the language of the keyword they used; English when it is not known). The words offered for
 * the next step are words the keyword matcher understands.
 * @module
 */

/** The replies the consent feature sends. */
export type ConsentReplyKind = 'stop' | 'start' | 'important-only' | 'opt-in-prompt' | 'opt-in-confirmed';

/** Values filled into a reply. */
export interface ReplyValues {
  business: string;
  /** What the opt-in is about ("flight updates"), or a description of its purpose. */
  topic?: string;
  privacyPolicyUrl?: string;
}

type Texts = Record<ConsentReplyKind, (v: ReplyValues) => string>;

const policy = (v: ReplyValues, label: string): string => (v.privacyPolicyUrl ? ` ${label}: ${v.privacyPolicyUrl}` : '');

const TEXTS: Record<string, Texts> = {
  en: {
    'stop': (v) => `You are unsubscribed: ${v.business} will send you no more notifications or offers here. Reply START to subscribe again.`,
    'start': (v) => `Welcome back: ${v.business} may send you notifications again. Reply STOP to unsubscribe.`,
    'important-only': (v) => `Done: ${v.business} will only send you important messages (such as order and account updates), no offers. Reply START for all messages or STOP to unsubscribe.`,
    'opt-in-prompt': (v) => `Reply YES to confirm that ${v.business} may send you ${v.topic ?? 'messages'}.${policy(v, 'Privacy policy')} You can reply STOP at any time.`,
    'opt-in-confirmed': (v) => `Thank you: you are subscribed to ${v.topic ?? 'messages'} from ${v.business}. Reply STOP at any time to unsubscribe.`,
  },
  es: {
    'stop': (v) => `Te has dado de baja: ${v.business} ya no te enviará avisos ni ofertas por aquí. Responde ALTA para volver a suscribirte.`,
    'start': (v) => `Bienvenido de nuevo: ${v.business} puede volver a enviarte avisos. Responde BAJA para darte de baja.`,
    'important-only': (v) => `Hecho: ${v.business} solo te enviará mensajes importantes (como pedidos y cuenta), sin ofertas. Responde ALTA para recibir todo o BAJA para darte de baja.`,
    'opt-in-prompt': (v) => `Responde SI para confirmar que ${v.business} puede enviarte ${v.topic ?? 'mensajes'}.${policy(v, 'Política de privacidad')} Puedes responder BAJA en cualquier momento.`,
    'opt-in-confirmed': (v) => `Gracias: te has suscrito a ${v.topic ?? 'mensajes'} de ${v.business}. Responde BAJA en cualquier momento para darte de baja.`,
  },
  de: {
    'stop': (v) => `Sie sind abgemeldet: ${v.business} schickt Ihnen hier keine Benachrichtigungen oder Angebote mehr. Antworten Sie ANMELDEN, um sich wieder anzumelden.`,
    'start': (v) => `Willkommen zurück: ${v.business} darf Ihnen wieder Benachrichtigungen senden. Antworten Sie STOPP, um sich abzumelden.`,
    'important-only': (v) => `Erledigt: ${v.business} schickt Ihnen nur noch wichtige Nachrichten (etwa zu Bestellung und Konto), keine Angebote. Antworten Sie ANMELDEN für alle Nachrichten oder STOPP zum Abmelden.`,
    'opt-in-prompt': (v) => `Antworten Sie JA, um zu bestätigen, dass ${v.business} Ihnen ${v.topic ?? 'Nachrichten'} senden darf.${policy(v, 'Datenschutzerklärung')} Sie können jederzeit STOPP antworten.`,
    'opt-in-confirmed': (v) => `Danke: Sie erhalten ${v.topic ?? 'Nachrichten'} von ${v.business}. Antworten Sie jederzeit STOPP, um sich abzumelden.`,
  },
  fr: {
    'stop': (v) => `Vous êtes désabonné : ${v.business} ne vous enverra plus de notifications ni d'offres ici. Répondez COMMENCER pour vous réabonner.`,
    'start': (v) => `Bon retour : ${v.business} peut de nouveau vous envoyer des notifications. Répondez ARRET pour vous désabonner.`,
    'important-only': (v) => `C'est noté : ${v.business} ne vous enverra que les messages importants (commandes, compte), sans offres. Répondez COMMENCER pour tout recevoir ou ARRET pour vous désabonner.`,
    'opt-in-prompt': (v) => `Répondez OUI pour confirmer que ${v.business} peut vous envoyer ${v.topic ?? 'des messages'}.${policy(v, 'Politique de confidentialité')} Vous pouvez répondre ARRET à tout moment.`,
    'opt-in-confirmed': (v) => `Merci : vous êtes abonné à ${v.topic ?? 'nos messages'} de ${v.business}. Répondez ARRET à tout moment pour vous désabonner.`,
  },
  pt: {
    'stop': (v) => `Cancelou a inscrição: ${v.business} não lhe enviará mais avisos nem ofertas por aqui. Responda INICIAR para voltar a inscrever-se.`,
    'start': (v) => `Bem-vindo de volta: ${v.business} pode voltar a enviar-lhe avisos. Responda SAIR para cancelar.`,
    'important-only': (v) => `Feito: ${v.business} só lhe enviará mensagens importantes (encomendas, conta), sem ofertas. Responda INICIAR para receber tudo ou SAIR para cancelar.`,
    'opt-in-prompt': (v) => `Responda SIM para confirmar que ${v.business} pode enviar-lhe ${v.topic ?? 'mensagens'}.${policy(v, 'Política de privacidade')} Pode responder SAIR a qualquer momento.`,
    'opt-in-confirmed': (v) => `Obrigado: está inscrito em ${v.topic ?? 'mensagens'} de ${v.business}. Responda SAIR a qualquer momento para cancelar.`,
  },
  it: {
    'stop': (v) => `Disiscrizione completata: ${v.business} non ti invierà più notifiche né offerte qui. Rispondi ISCRIVI per iscriverti di nuovo.`,
    'start': (v) => `Bentornato: ${v.business} può di nuovo inviarti notifiche. Rispondi BASTA per disiscriverti.`,
    'important-only': (v) => `Fatto: ${v.business} ti invierà solo messaggi importanti (ordini, account), nessuna offerta. Rispondi ISCRIVI per ricevere tutto o BASTA per disiscriverti.`,
    'opt-in-prompt': (v) => `Rispondi SI per confermare che ${v.business} può inviarti ${v.topic ?? 'messaggi'}.${policy(v, 'Informativa privacy')} Puoi rispondere BASTA in qualsiasi momento.`,
    'opt-in-confirmed': (v) => `Grazie: sei iscritto a ${v.topic ?? 'messaggi'} di ${v.business}. Rispondi BASTA in qualsiasi momento per disiscriverti.`,
  },
  nl: {
    'stop': (v) => `U bent afgemeld: ${v.business} stuurt u hier geen meldingen of aanbiedingen meer. Antwoord AANMELDEN om u weer aan te melden.`,
    'start': (v) => `Welkom terug: ${v.business} mag u weer meldingen sturen. Antwoord AFMELDEN om u af te melden.`,
    'important-only': (v) => `Gedaan: ${v.business} stuurt u alleen nog belangrijke berichten (bestellingen, account), geen aanbiedingen. Antwoord AANMELDEN voor alles of AFMELDEN om u af te melden.`,
    'opt-in-prompt': (v) => `Antwoord JA om te bevestigen dat ${v.business} u ${v.topic ?? 'berichten'} mag sturen.${policy(v, 'Privacybeleid')} U kunt altijd AFMELDEN antwoorden.`,
    'opt-in-confirmed': (v) => `Bedankt: u ontvangt ${v.topic ?? 'berichten'} van ${v.business}. Antwoord altijd AFMELDEN om u af te melden.`,
  },
};

/** Languages replies exist in. */
export const REPLY_LANGUAGES: readonly string[] = Object.keys(TEXTS);

/**
 * The reply text.
 * @param kind - what is being answered
 * @param language - a language tag (`es`, `pt-BR`…); unknown ones get English
 * @param values - business name, topic, privacy-policy URL
 * @returns the text
 */
export function consentReply(kind: ConsentReplyKind, language: string | undefined, values: ReplyValues): string {
  const base = (language ?? 'en').toLowerCase().split(/[-_]/)[0]!;
  return (TEXTS[base] ?? TEXTS.en!)[kind](values);
}
