// Finding kinds are a stable public contract (JSON schema posrecon.reconcile/1): scripts key
// on these names. Order here is the report order.

export const EXCEPTION_KINDS = [
  'dropped_order',
  'unsettled_overdue',
  'amount_mismatch',
  'fee_mismatch',
  'net_mismatch',
  'duplicate_settlement',
  'void_settled',
  // Refunds naming one sale (原参考号) that add up to more than it.
  'refund_exceeds_sale',
  'extra_deduction',
  'ambiguous_match',
  'fee_unverified',
  // A file (or its companion summary) states totals the rows read do not add up to.
  'control_total_mismatch',
  // Bank leg (settlement payouts ↔ bank credits).
  'payout_missing',
  'payout_short',
  'payout_over',
  'ambiguous_payout',
  'unexplained_credit',
  'unexplained_debit',
  'balance_gap',
] as const;

export const INFORMATIONAL_KINDS = [
  'matched',
  // A matched sale whose settlement date is after the date the contract promises (延迟结算).
  'settled_late',
  'unsettled_pending',
  'fee_drift',
  'allowed_deduction',
  'deduction_returned',
  'voided',
  'no_settlement_expected',
  'duplicate_export',
  'payout_matched',
  'payout_pending',
  // An acquirer credit the bank took back (退汇, 退票): no money received.
  'credit_returned',
  'bank_unrelated',
] as const;

export type ExceptionKind = (typeof EXCEPTION_KINDS)[number];
export type InformationalKind = (typeof INFORMATIONAL_KINDS)[number];
export type FindingKind = ExceptionKind | InformationalKind;

export const ALL_KINDS: readonly FindingKind[] = [...EXCEPTION_KINDS, ...INFORMATIONAL_KINDS];

export type Severity = 'error' | 'warning' | 'info';

export const SEVERITY: Record<FindingKind, Severity> = {
  control_total_mismatch: 'error',
  dropped_order: 'error',
  unsettled_overdue: 'error',
  amount_mismatch: 'error',
  fee_mismatch: 'error',
  net_mismatch: 'error',
  duplicate_settlement: 'error',
  void_settled: 'error',
  refund_exceeds_sale: 'error',
  extra_deduction: 'warning',
  ambiguous_match: 'warning',
  fee_unverified: 'warning',
  payout_missing: 'error',
  payout_short: 'error',
  payout_over: 'warning',
  ambiguous_payout: 'warning',
  unexplained_credit: 'warning',
  unexplained_debit: 'warning',
  balance_gap: 'warning',
  matched: 'info',
  settled_late: 'warning',
  unsettled_pending: 'info',
  fee_drift: 'info',
  allowed_deduction: 'info',
  deduction_returned: 'info',
  voided: 'info',
  no_settlement_expected: 'info',
  duplicate_export: 'info',
  payout_matched: 'info',
  payout_pending: 'info',
  credit_returned: 'info',
  bank_unrelated: 'info',
};

/** One-line meaning of each kind, for help texts and report legends. */
export const KIND_TITLES: Record<FindingKind, string> = {
  control_total_mismatch: 'A file states totals (count, amount, fee, net) that its rows do not add up to',
  dropped_order: 'Dropped orders (掉单): charged and settled, but the terminal shows failed or has no record',
  unsettled_overdue: 'Unsettled (未到账): successful on the terminal, no settlement by the contract date',
  amount_mismatch: 'Settled amount differs from the terminal amount',
  fee_mismatch: 'Fee differs from the contract',
  net_mismatch: 'Net differs from amount − fee on the settlement line',
  duplicate_settlement: 'Same transaction settled more than once',
  void_settled: 'Voided or reversed sale that settled anyway',
  refund_exceeds_sale: 'Refunds add up to more than the sale they name (原参考号)',
  extra_deduction: 'Non-sale deduction (押金, 服务费, 流量费 …) not allowed by the contract',
  ambiguous_match: 'More than one possible match: needs a person',
  fee_unverified: 'No contract rule covers this transaction: fee not checked',
  payout_missing: 'Payout not credited to the bank account by the end of its window (未到账)',
  payout_short: 'Payout credited short of the settled amount',
  payout_over: 'Payout credited above the settled amount',
  ambiguous_payout: 'More than one set of bank credits fits the payout: needs a person',
  unexplained_credit: 'Acquirer-looking bank credit that pays no expected payout',
  unexplained_debit: 'Acquirer or fee debit on the bank statement the contract does not allow',
  balance_gap: 'Running balance does not follow: a missing row or page in the statement',
  matched: 'Matched',
  settled_late: 'Settled after the contract date (延迟结算)',
  unsettled_pending: 'Not yet due for settlement',
  fee_drift: 'Fees follow a different constant rate than the contract',
  allowed_deduction: 'Deduction allowed by the contract',
  deduction_returned: 'A deduction given back (押金退还 …): money returned to the merchant',
  voided: 'Voided or reversed sale, correctly not settled',
  no_settlement_expected: 'Failed, timed-out or non-settling terminal row, correctly not settled',
  duplicate_export: 'Row repeated in another input file (re-export), counted once',
  payout_matched: 'Payout credited to the bank account',
  payout_pending: 'Payout not credited yet, still within its window',
  credit_returned: 'Acquirer credit returned by the bank (退汇, 退票): no money received',
  bank_unrelated: 'Bank row unrelated to acquirer payouts (rent, transfers, card spending …)',
};

export function isException(kind: FindingKind): boolean {
  return (EXCEPTION_KINDS as readonly string[]).includes(kind);
}
