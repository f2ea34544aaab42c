export { words } from "./words.js";
export { slugify } from "./slugify.js";
export { titleCase } from "./title-case.js";
