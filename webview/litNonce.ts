// Lit adds <style> elements only where constructable stylesheets are missing; give them the page's
// nonce so the CSP accepts them. Imported first by main.ts, while document.currentScript is this bundle.
const script = document.currentScript as HTMLScriptElement | null;
if (script?.nonce) (window as unknown as { litNonce?: string }).litNonce = script.nonce;
export {};
