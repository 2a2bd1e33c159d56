// Public entry of the recommendations models: training, artifacts, scoring, cold start, evaluation.
import { defineService, noSettings, requires, uses } from '@emporium/platform';
import type {} from '@emporium/catalog';
import type {} from '@emporium/inventory';
import type {} from '@emporium/cart';
import type { RecommendationsApi } from './service/types.ts';
import { createRecommendationsService } from './service/service.ts';
import { RecommendationsHttpClient } from './service/client.ts';
export type { Interactions } from './model/interactions.ts';
export { fromSequences, parseSequences, readSequencesFile, holdOutLast } from './model/interactions.ts';
export type { RecModel, Component, SessionComponent, Ranker } from './model/model.ts';
export { trainModel, MODEL_KINDS, BEST_MODEL } from './model/train.ts';
export type { ModelKind, TrainOptions } from './model/train.ts';
export { trainReranked, defaultRerankedParams } from './model/reranked.ts';
export type { RerankedParams } from './model/reranked.ts';
export { parseItemAttributes, readItemAttributes } from './model/attributes.ts';
export type { ItemAttributes } from './model/attributes.ts';
export { trainPopularity, trainCooccurrence } from './model/baselines.ts';
export { trainItemKnn, defaultItemKnnParams } from './model/itemknn.ts';
export type { ItemKnnParams } from './model/itemknn.ts';
export { trainMixture, defaultMixtureParams } from './model/mixture.ts';
export type { MixtureParams } from './model/mixture.ts';
export { recommend, ModelSlot } from './model/recommend.ts';
export type { RecommendRequest, Recommendation } from './model/recommend.ts';
export {
  serialise,
  deserialise,
  writeArtifact,
  readArtifact,
  readCurrentArtifact,
} from './model/artifact.ts';
export { buildContentIndex, contentNeighbours } from './model/content.ts';
export type { ItemFeatures, ContentIndex } from './model/content.ts';
export { evaluate, targetRanks } from './model/evaluate.ts';
export { hitAt, ndcgAt, summarise } from './model/metrics.ts';
export type { RankingMetrics } from './model/metrics.ts';
export { writeTopK } from './model/topk.ts';

// The recommendations service: its API and types, factory and HTTP client.
export type {
  Actor as RecsActor,
  BehaviourEvent,
  BehaviourKind,
  ModelInfo,
  Placement,
  RecommendationList,
  RecommendationRequest,
  RecommendationsApi,
  RecommendedItem,
  Strategy,
} from './service/types.ts';
export { BEHAVIOUR_KINDS, PLACEMENTS } from './service/types.ts';
export { BehaviourRecorded, type BehaviourRecordedEvent } from './service/events.ts';
export {
  createRecommendationsService,
  artifactDir,
  type RecommendationsDeps,
  type RecommendationsOptions,
} from './service/service.ts';
export { RecommendationsHttpClient } from './service/client.ts';

declare module '@emporium/platform' {
  interface ServiceApis {
    recommendations: RecommendationsApi;
  }
}

export const recommendationsService = defineService({
  name: 'recommendations',
  // The cart is optional: without it the cart placement learns from add_to_cart events only.
  needs: { catalog: requires('catalog'), inventory: requires('inventory'), cart: uses('cart') },
  publicPaths: ['/recommendations', '/events'],
  settings: noSettings,
  create: (ctx, deps) => createRecommendationsService(ctx, deps),
  client: (url, options) => new RecommendationsHttpClient(url, options),
});
