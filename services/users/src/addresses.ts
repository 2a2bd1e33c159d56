import { conflict, newId, notFound } from '@emporium/platform';
import { toAddress } from './mappers.ts';
import type { UsersStore } from './store.ts';
import type { Address, AddressInput } from './types.ts';
import { cleanAddress } from './validation.ts';

export const MAX_ADDRESSES = 50;

export type AddressChanges = Partial<AddressInput> & { isDefault?: boolean };

/**
 * A customer's address book. Every query is scoped by the owner's id, so another user's address id is
 * simply not found (never a hint that it exists).
 */
export class AddressBook {
  constructor(private readonly store: UsersStore) {}

  async list(userId: string): Promise<Address[]> {
    return (await this.store.addresses(userId)).map(toAddress);
  }

  async get(userId: string, id: string): Promise<Address> {
    const row = await this.store.address(userId, id);
    if (!row) throw notFound('Address');
    return toAddress(row);
  }

  async create(userId: string, input: AddressInput & { isDefault?: boolean }): Promise<Address> {
    const address = cleanAddress(input);
    const row = await this.store.db.transaction().execute(async (trx) => {
      const count = await this.store.countAddresses(trx, userId);
      if (count >= MAX_ADDRESSES) throw conflict(`An address book holds at most ${MAX_ADDRESSES} addresses`);
      // The first address is the default until the customer says otherwise.
      const isDefault = input.isDefault ?? count === 0;
      const inserted = await this.store.insertAddress(trx, newId(), userId, address, false);
      if (isDefault) await this.store.setDefaultAddress(trx, userId, inserted.id);
      return (await this.store.address(userId, inserted.id, trx))!;
    });
    return toAddress(row);
  }

  async update(userId: string, id: string, changes: AddressChanges): Promise<Address> {
    const current = await this.get(userId, id);
    const { isDefault, ...fields } = changes;
    const merged = cleanAddress({ ...current, ...fields });
    const row = await this.store.db.transaction().execute(async (trx) => {
      const updated = await this.store.updateAddress(trx, userId, id, merged);
      if (!updated) return undefined;
      if (isDefault === true) await this.store.setDefaultAddress(trx, userId, id);
      return this.store.address(userId, id, trx);
    });
    if (!row) throw notFound('Address');
    return toAddress(row);
  }

  async remove(userId: string, id: string): Promise<void> {
    const removed = await this.store.deleteAddress(this.store.db, userId, id);
    if (!removed) throw notFound('Address');
  }
}
