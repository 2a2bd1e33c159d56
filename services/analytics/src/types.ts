/** Where the export stands: what the sink has not acknowledged yet. */
export interface ExportStatus {
  sink: string;
  pending: number;
  /** When the oldest unexported event occurred; absent when nothing waits. */
  oldestPending?: string;
}

export interface AnalyticsApi {
  status(): Promise<ExportStatus>;
}
