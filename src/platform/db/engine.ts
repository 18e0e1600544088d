/** The two storage engines; migrations and a few queries branch on it (DESIGN.md §4). */
export type Engine = 'sqlite' | 'postgres';
