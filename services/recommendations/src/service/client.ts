import { internalClient, type ServiceClientOptions, type ServiceHttpClient } from '@emporium/platform';
import type {
  Actor,
  BehaviourEvent,
  ModelInfo,
  RecommendationList,
  RecommendationRequest,
  RecommendationsApi,
} from './types.ts';

/** The recommendations API over HTTP, for processes that do not host the service. */
export class RecommendationsHttpClient implements RecommendationsApi {
  private readonly http: ServiceHttpClient;

  constructor(baseUrl: string, options: ServiceClientOptions = {}) {
    this.http = internalClient(baseUrl.replace(/\/$/, ''), 'recommendations', options);
  }

  recommend(request: RecommendationRequest): Promise<RecommendationList> {
    return this.http.call('POST', '/recommend', request, { idempotent: true });
  }

  async record(actor: Actor, events: BehaviourEvent[]): Promise<number> {
    const r = await this.http.call<{ accepted: number }>('POST', '/events', { ...actor, events });
    return r.accepted;
  }

  async train(): Promise<ModelInfo | undefined> {
    const r = await this.http.call<{ model: ModelInfo | null }>('POST', '/train', undefined, {
      idempotent: false,
    });
    return r.model ?? undefined;
  }
}
