import * as vscode from 'vscode';
import type { ModelChoice } from './modelChoice';

/** The status-bar item that names the NER model in use; clicking it opens the setting. */
export class ModelStatus implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('bertLens.nerModel', vscode.StatusBarAlignment.Right, 100);

  constructor() {
    this.item.name = 'BERT Lens NER model';
    this.item.command = { command: 'workbench.action.openSettings', title: 'Choose the NER model', arguments: ['bertLens.ner.model'] };
  }

  show(choice: ModelChoice | Error): void {
    if (choice instanceof Error) {
      this.item.text = '$(warning) NER: model setting invalid';
      this.item.tooltip = `${choice.message}\nClick to change bertLens.ner.model.`;
    } else {
      this.item.text = `$(symbol-class) NER: ${choice.description}`;
      this.item.tooltip = `BERT Lens NER model: ${choice.reference}\nClick to change bertLens.ner.model.`;
    }
    this.item.show();
  }

  dispose(): void {
    this.item.dispose();
  }
}
