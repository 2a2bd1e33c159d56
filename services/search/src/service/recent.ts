/**
 * The categories a signed-in user filtered on recently, for the ranker's `recent_category` feature.
 * In memory and bounded (least recently active users are forgotten): a personal hint, not a record.
 */
export class RecentCategories {
  private readonly byUser = new Map<string, string[]>();

  constructor(
    private readonly maxUsers = 10_000,
    private readonly perUser = 5,
  ) {}

  get(userId: string): string[] | undefined {
    return this.byUser.get(userId);
  }

  record(userId: string, category: string): void {
    const list = (this.byUser.get(userId) ?? []).filter((c) => c !== category);
    list.unshift(category);
    this.byUser.delete(userId);
    this.byUser.set(userId, list.slice(0, this.perUser));
    if (this.byUser.size > this.maxUsers) {
      const oldest = this.byUser.keys().next().value;
      if (oldest !== undefined) this.byUser.delete(oldest);
    }
  }
}
