// Fine-tune panel entry; lands with the panel.
export {};
