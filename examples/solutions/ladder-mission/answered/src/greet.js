/** The greeting for `name`, in French (the language the person named). */
export function greet(name) {
  return `Bonjour, ${name} !`;
}
