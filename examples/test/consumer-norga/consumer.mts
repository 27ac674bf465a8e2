// As ../consumer, for @norga/norga alone (its public types must not need vega's DOM-typed declarations).
import * as N from '@norga/norga';

export const used = [N];
