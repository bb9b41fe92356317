/** Plain-text imports (`import text from "./x.txt" with { type: "text" }`): tool descriptions the model reads. */
declare module "*.txt" {
  const text: string;
  export default text;
}
