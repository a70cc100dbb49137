/**
 * The domain of a Domain dataset group, which unlocks use-case recommenders.
 */
export enum Domain {
  /** Retail and e-commerce recommendations. */
  ECOMMERCE = 'ECOMMERCE',
  /** Video-on-demand recommendations. */
  VIDEO_ON_DEMAND = 'VIDEO_ON_DEMAND',
}
