/**
 * Hot-path queries built and compiled once, then run with new parameters: Kysely's build + compile
 * costs tens of microseconds, as much as the whole indexed read it produces on SQLite (see
 * bench/query-builder.ts), and the SQL text of these queries does not depend on their values.
 *
 * How: the first call builds the query with a marker in place of each parameter (an array parameter
 * gets one marker per element), compiles it, and remembers where each marker landed; later calls with
 * the same array lengths reuse the SQL text and put their values where the markers were. So a
 * prepared query is called with the same keys every time, and `build` uses its parameters only as
 * values, never to decide the SQL (no `$if(params.x)`, no `params.x === '' ? … : …`): such a query
 * is built per call instead.
 */
import type { Compilable, CompiledQuery } from 'kysely';

type Params = Record<string, unknown>;

class Marker {
  constructor(readonly key: string, readonly index: number | undefined) {}
}

interface Template<R> {
  compiled: CompiledQuery<R>;
}

export function prepared<P extends Params, R>(build: (params: P) => Compilable<R>): (params: P) => Compilable<R> {
  const templates = new Map<string, Template<R>>();
  return (params) => {
    // Callers pass the same keys every time, so only the array lengths tell shapes apart.
    let shape = '';
    for (const key in params) {
      const value = params[key];
      if (Array.isArray(value)) shape += `${value.length},`;
    }
    let template = templates.get(shape);
    if (!template) {
      const markers = Object.fromEntries(Object.entries(params).map(([k, v]) =>
        [k, Array.isArray(v) ? v.map((_, i) => new Marker(k, i)) : new Marker(k, undefined)])) as P;
      template = { compiled: build(markers).compile() };
      templates.set(shape, template);
    }
    const { compiled } = template;
    return {
      compile: () => ({
        ...compiled,
        parameters: compiled.parameters.map((p) => (p instanceof Marker ? valueOf(params, p) : p)),
      }),
    };
  };
}

function valueOf(params: Params, marker: Marker): unknown {
  const value = params[marker.key];
  return marker.index === undefined ? value : (value as unknown[])[marker.index];
}
