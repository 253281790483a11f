/**
 * Node 20 lacks `Promise.withResolvers`, which libp2p 3 and its dependencies call. Every entry point
 * (CLI, mocha setup, benchmarks) imports this module before anything that imports libp2p.
 */
interface WithResolvers<T> {
  promise: Promise<T>;
  resolve: (value: T | PromiseLike<T>) => void;
  reject: (reason?: unknown) => void;
}

const P = Promise as unknown as { withResolvers?: <T>() => WithResolvers<T> };
if (typeof P.withResolvers !== "function") {
  P.withResolvers = <T>(): WithResolvers<T> => {
    let resolve!: WithResolvers<T>["resolve"];
    let reject!: WithResolvers<T>["reject"];
    const promise = new Promise<T>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise, resolve, reject };
  };
}
