// rate-limiter-flexible's main module loads every backend it has (Redis, Mongo, DynamoDB, Etcd, …,
// about 1 MiB of heap); Backtalk uses three classes, imported from their own files (the package has
// no "exports" map). Each file's module.exports is the class its name says, typed as the package's
// (an import inside a declaration file loads nothing).
declare module 'rate-limiter-flexible/lib/RateLimiterMemory.js' {
  import { RateLimiterMemory } from 'rate-limiter-flexible';
  export default RateLimiterMemory;
}

declare module 'rate-limiter-flexible/lib/RateLimiterPostgres.js' {
  import { RateLimiterPostgres } from 'rate-limiter-flexible';
  export default RateLimiterPostgres;
}

declare module 'rate-limiter-flexible/lib/RateLimiterRes.js' {
  import { RateLimiterRes } from 'rate-limiter-flexible';
  export default RateLimiterRes;
}
