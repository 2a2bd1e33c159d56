/**
 * The demo store's sellers (SEED_DEMO_DATA). The catalog's demo products and the users service's demo
 * accounts are seeded by different services, possibly in different processes; fixed ids shared here let
 * both agree without either reading the other's data.
 */
export interface DemoSeller {
  id: string;
  storeName: string;
  name: string;
  email: string;
  description: string;
}

export const DEMO_SELLERS: readonly DemoSeller[] = [
  {
    id: '01900000-0000-7000-8000-000000000001',
    storeName: 'Northwind Traders',
    name: 'Nora Wind',
    email: 'northwind@demo.example.com',
    description: 'Groceries and vehicles, sourced from independent producers.',
  },
  {
    id: '01900000-0000-7000-8000-000000000002',
    storeName: 'Bluebird Home',
    name: 'Bea Bird',
    email: 'bluebird@demo.example.com',
    description: 'Beauty and home goods for everyday living.',
  },
  {
    id: '01900000-0000-7000-8000-000000000003',
    storeName: 'Summit Outfitters',
    name: 'Sam Summit',
    email: 'summit@demo.example.com',
    description: 'Fashion, sports and outdoor gear.',
  },
  {
    id: '01900000-0000-7000-8000-000000000004',
    storeName: 'Circuit City Goods',
    name: 'Cy Circuit',
    email: 'circuit@demo.example.com',
    description: 'Phones, laptops, tablets and accessories.',
  },
];
