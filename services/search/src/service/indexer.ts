/**
 * Keeps the in-memory index in step with the catalog and inventory. Events carry whole documents,
 * so applying one is an upsert; the index is in memory, so duplicates and reordering are handled by
 * versions (the event's occurredAt) rather than a dedup table: an event older than what a product
 * already reflects is dropped, which makes redelivery harmless (ADR 0203).
 */
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { CatalogApi, ProductDocument } from '@emporium/catalog';
import type { InventoryApi } from '@emporium/inventory';
import type { Logger } from 'pino';
import { EmbeddedIndex, type EngineOptions } from '../embedded/engine.ts';
import { loadSnapshot } from '../embedded/snapshot.ts';
import type { SearchDocument } from '../types.ts';
import { isSearchable, stockFlag, toSearchDocument } from './documents.ts';
import type { IndexingMetrics } from './telemetry.ts';

/** A full listing read at time T is stamped T minus this, so any event it may miss still wins. */
const LISTING_SKEW_MS = 5_000;
const PAGE = 1_000;

export interface RebuildProgress {
  indexed: number;
  elapsedMs: number;
}

export interface IndexerDeps {
  catalog: CatalogApi;
  inventory: InventoryApi;
  engine: Partial<EngineOptions>;
  metrics?: IndexingMetrics;
  logger?: Logger;
}

export class SearchIndexer {
  index: EmbeddedIndex;
  /** Removed products and when, so a late older event does not bring them back. */
  private readonly tombstones = new Map<string, number>();
  private readonly skuOwner = new Map<string, string>();
  private readonly skuStock = new Map<string, { inStock: boolean; version: number }>();
  /** Changes since the last snapshot. */
  dirty = 0;

  constructor(private readonly deps: IndexerDeps) {
    this.index = new EmbeddedIndex(deps.engine);
  }

  /** Applies one product state as of `version` (epoch ms); false when it is older than what is indexed. */
  applyProduct(doc: ProductDocument, version: number): boolean {
    const seen = this.index.get(doc.id)?.version ?? this.tombstones.get(doc.id);
    if (seen !== undefined && version < seen) return false;
    const previous = this.index.get(doc.id);
    for (const sku of previous?.skus ?? []) this.skuOwner.delete(sku);
    if (!isSearchable(doc)) {
      this.index.remove(doc.id);
      this.tombstones.set(doc.id, version);
    } else {
      this.tombstones.delete(doc.id);
      for (const sku of doc.skus) this.skuOwner.set(sku, doc.id);
      this.index.upsert(toSearchDocument(doc, version, (sku) => this.skuStock.get(sku)?.inStock));
    }
    this.dirty++;
    return true;
  }

  /** Applies a SKU's stock as of `version`; the product's flag is true when any of its SKUs is in stock. */
  applyStock(sku: string, inStock: boolean, version: number): boolean {
    const known = this.skuStock.get(sku);
    if (known && version < known.version) return false;
    this.skuStock.set(sku, { inStock, version });
    const owner = this.skuOwner.get(sku);
    const doc = owner === undefined ? undefined : this.index.get(owner);
    if (!doc) return true;
    const skus = doc.skus ?? [];
    const flags = skus.map((s) => this.skuStock.get(s)?.inStock);
    this.index.setStock(
      doc.id,
      stockFlag(flags),
      skus.filter((_s, i) => flags[i] === true),
    );
    this.dirty++;
    return true;
  }

  /**
   * Streams every product from the catalog (with its stock, one batched call per page) into the
   * index, then drops products the catalog no longer lists. Events keep applying meanwhile.
   */
  async rebuild(onProgress?: (p: RebuildProgress) => void, shouldStop = () => false): Promise<number> {
    const started = performance.now();
    const version = Date.now() - LISTING_SKEW_MS;
    const listed = new Set<string>();
    let cursor: string | undefined;
    do {
      const page = await this.deps.catalog.listAllProducts(cursor, PAGE);
      await this.loadStock(
        page.items.flatMap((p) => p.skus),
        version,
      );
      for (const doc of page.items) {
        listed.add(doc.id);
        this.applyProduct(doc, version);
      }
      cursor = page.nextCursor;
      onProgress?.({ indexed: listed.size, elapsedMs: performance.now() - started });
    } while (cursor && !shouldStop());
    if (!shouldStop()) {
      this.dropUnlisted(listed, version);
      this.index.cluster();
    }
    this.deps.metrics?.documents.set(this.index.size());
    return listed.size;
  }

  private async loadStock(skus: string[], version: number): Promise<void> {
    if (skus.length === 0) return;
    const availability = await this.deps.inventory.getAvailability(skus);
    for (const [sku, a] of Object.entries(availability)) {
      const known = this.skuStock.get(sku);
      if (!known || known.version <= version) this.skuStock.set(sku, { inStock: a.inStock, version });
    }
  }

  private dropUnlisted(listed: Set<string>, version: number): void {
    const gone = [...this.index.ids.keys()].filter(
      (id) => !listed.has(id) && (this.index.get(id)?.version ?? 0) <= version,
    );
    for (const id of gone) this.index.remove(id);
  }

  async saveSnapshot(file: string): Promise<void> {
    await mkdir(dirname(file), { recursive: true });
    const changes = this.dirty;
    await this.index.saveSnapshot(file);
    this.dirty -= changes;
  }

  /** Replaces the index with a snapshot's; SKU ownership and stock come back from its documents. */
  async loadSnapshot(file: string): Promise<number> {
    const index = await loadSnapshot(file, this.deps.engine);
    this.index = index;
    for (const doc of index.docs) if (doc) this.remember(doc);
    this.deps.metrics?.documents.set(index.size());
    return index.size();
  }

  private remember(doc: SearchDocument): void {
    const inStock = new Set(doc.skusInStock ?? []);
    for (const sku of doc.skus ?? []) {
      this.skuOwner.set(sku, doc.id);
      if (doc.inStock !== undefined)
        this.skuStock.set(sku, { inStock: inStock.has(sku), version: doc.version ?? 0 });
    }
  }
}
