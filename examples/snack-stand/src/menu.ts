/**
 * The snack stand's menu and prices.
 * @module
 */

/** One thing on the menu. */
export interface MenuItem {
  id: string;
  /** ≤ 24 characters: a WhatsApp list row title. */
  name: string;
  priceCents: number;
  /** ≤ 60 characters with the price: a WhatsApp list row description. */
  description: string;
  section: 'Snacks' | 'Drinks';
}

/** The menu of "Imbiss Ecke". */
export const MENU: readonly MenuItem[] = [
  { id: 'currywurst', name: 'Currywurst', priceCents: 350, description: 'with curry ketchup', section: 'Snacks' },
  { id: 'fries', name: 'Fries', priceCents: 300, description: 'with mayo or ketchup', section: 'Snacks' },
  { id: 'falafel', name: 'Falafel wrap', priceCents: 600, description: 'vegan, with hummus', section: 'Snacks' },
  { id: 'bratwurst', name: 'Bratwurst roll', priceCents: 400, description: 'in a crusty roll', section: 'Snacks' },
  { id: 'cola', name: 'Cola', priceCents: 250, description: '0.33 l can', section: 'Drinks' },
  { id: 'water', name: 'Sparkling water', priceCents: 200, description: '0.5 l bottle', section: 'Drinks' },
];

/**
 * Formats euro cents.
 * @param cents - amount
 */
export function euros(cents: number): string {
  return `€${(cents / 100).toFixed(2)}`;
}

/**
 * Finds a menu item.
 * @param id - its id
 */
export function menuItem(id: string): MenuItem | undefined {
  return MENU.find((m) => m.id === id);
}
