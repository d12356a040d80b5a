import { runService } from '@meridian/runtime';
import { executionService } from './service';

runService(executionService);
