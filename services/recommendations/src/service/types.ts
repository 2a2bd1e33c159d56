import type { Money } from '@emporium/platform';
// The recommendations service's domain types and its API for other services.
export const BEHAVIOUR_KINDS = ['view', 'click', 'add_to_cart', 'search'] as const;
export type BehaviourKind = (typeof BEHAVIOUR_KINDS)[number];
export type InteractionKind = BehaviourKind | 'purchase';

export const PLACEMENTS = ['home', 'product', 'cart'] as const;
export type Placement = (typeof PLACEMENTS)[number];

/**
 * Which path produced a list. `personalised`, `viewed-together` and `complete-the-order` come from the
 * trained model; the others are cold-start paths.
 */
export type Strategy =
  | 'personalised'
  | 'viewed-together'
  | 'complete-the-order'
  | 'content-neighbours'
  | 'trending-in-categories'
  | 'trending'
  | 'catalogue-top-rated';

export interface BehaviourEvent {
  type: BehaviourKind;
  productId?: string;
  query?: string;
}

/** Who acts: a signed-in user, an anonymous session, or both (a signed-in user's current session). */
export interface Actor {
  userId?: string;
  sessionId?: string;
}

export type { Money };

export interface RecommendedItem {
  id: string;
  title: string;
  brand: string | null;
  categoryPath: string[];
  price: Money;
  rating: number;
  ratingCount: number;
  image?: string;
  score: number;
}

export interface RecommendationRequest extends Actor {
  placement: Placement;
  productId?: string;
  limit: number;
}

export interface RecommendationList {
  items: RecommendedItem[];
  strategy: Strategy;
  placement: Placement;
  /** The model version that ranked the list, absent on cold-start paths that use no model. */
  modelVersion?: string;
}

export interface ModelInfo {
  version: string;
  kind: string;
  trainedAt: string;
  users: number;
  items: number;
  interactions: number;
  trainMs: number;
}

export interface RecommendationsApi {
  recommend(request: RecommendationRequest): Promise<RecommendationList>;
  /** Records behaviour events (validated); resolves once they are stored. */
  record(actor: Actor, events: BehaviourEvent[]): Promise<number>;
  /** Trains from the interaction log now and swaps the new model in; undefined when there is too little data. */
  train(): Promise<ModelInfo | undefined>;
}
