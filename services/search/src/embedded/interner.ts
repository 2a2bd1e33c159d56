/** Case-insensitive string → dense id, remembering the first spelling seen for display. */
export class Interner {
  private readonly ids = new Map<string, number>();
  readonly display: string[] = [];

  static key(value: string): string {
    return value.trim().toLowerCase();
  }

  intern(value: string): number {
    const key = Interner.key(value);
    const known = this.ids.get(key);
    if (known !== undefined) return known;
    const id = this.display.length;
    this.ids.set(key, id);
    this.display.push(value.trim());
    return id;
  }

  find(value: string): number | undefined {
    return this.ids.get(Interner.key(value));
  }
}
