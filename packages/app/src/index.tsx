import '@backstage/cli/asset-types';
// Styles of Backstage UI components (e.g. the scaffolder's Secret field)
import '@backstage/ui/css/styles.css';
import ReactDOM from 'react-dom/client';
import App from './App';

ReactDOM.createRoot(document.getElementById('root')!).render(App.createRoot());
