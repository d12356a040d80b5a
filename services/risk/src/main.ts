import { runService } from '@meridian/runtime';
import { riskService } from './service';

runService(riskService);
