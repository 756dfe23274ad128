/** Polls `check` every 50 ms until it holds: the milliseconds that took, or undefined after `withinMs`. */
export async function eventually(check: () => Promise<boolean>, withinMs = 10_000): Promise<number | undefined> {
  const startedAt = Date.now();
  while (Date.now() - startedAt < withinMs) {
    if (await check()) return Date.now() - startedAt;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return undefined;
}
