// Rollouts: A/B variants and their sequential test, the shadow's comparison with the primary, and
// the canary gates' values against their thresholds.
import type { LinkBase } from "../links.js";
import type { DashboardParts } from "./common.js";
import { gatePanels } from "./gatePanels.js";
import { shadowPanels } from "./shadowPanels.js";
import { variantPanels } from "./variantPanels.js";

export function rollouts(links: LinkBase): DashboardParts {
  return {
    key: "rollouts",
    description:
      "Rollout decisions: A/B variants with an always-valid sequential test, shadow comparison, canary gates.",
    panels: [...gatePanels(links), ...variantPanels(links), ...shadowPanels(links)],
  };
}
