// Worker entry: lets the TypeScript training code run in a worker thread under tsx (the server, the
// CLI) and under vitest alike, by registering tsx's loader inside the worker first.
import { register } from 'tsx/esm/api';

register();
await import('./train-worker.ts');
