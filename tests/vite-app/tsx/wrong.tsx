// Must not type-check: a misspelt attribute of a custom element.
import type {} from "installment-widget/react";

export const product = <installment-badge amout="299.90" currency="BYN" />;
