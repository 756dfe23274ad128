declare const transactionBrand: unique symbol;

/**
 * An open database transaction, as services see it: something to hand to repositories, and a place
 * for effects that must happen only once it has committed. Only `Transactions.run` makes one, so a
 * repository write that takes one cannot be called outside a transaction: the type checker refuses.
 */
export interface Transaction {
  readonly [transactionBrand]: true;
  /** Runs `effect` right after the commit; never when the transaction rolls back. */
  afterCommit(effect: () => void): void;
}
